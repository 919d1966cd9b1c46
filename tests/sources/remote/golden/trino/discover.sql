SELECT
  'deals' AS field,
  stage_,
  status_,
  lost_stage_,
  SUM(missing_) AS missing,
  COUNT(*) AS n,
  MAX(latest_) AS latest,
  MAX(closed_) AS closed,
  SUM(wild_) AS wild,
  MIN(first_) AS first_date,
  MAX(last_) AS last_date
FROM (
  SELECT
    CAST("stage" AS VARCHAR) AS stage_,
    CAST(NULL AS VARCHAR) AS status_,
    CAST("lost_at_stage" AS VARCHAR) AS lost_stage_,
    CASE WHEN NULLIF(TRIM(CAST(src."deal_id" AS VARCHAR)), '') IS NULL THEN 1 ELSE 0 END AS missing_,
    CAST(NULL AS TIMESTAMP) AS latest_,
    CAST(NULL AS TIMESTAMP) AS closed_,
    CASE
      WHEN NOT src."amount" IS NULL
      AND NOT COALESCE(ABS(src."amount") <= 1000000000000000, FALSE)
      THEN 1
      ELSE 0
    END AS wild_,
    CAST(LEAST(
      COALESCE(
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date"
      ),
      COALESCE(
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at"
      ),
      COALESCE(
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at"
      ),
      COALESCE(
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date"
      ),
      COALESCE(
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date"
      ),
      COALESCE(
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date"
      ),
      COALESCE(
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date"
      ),
      COALESCE(
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date"
      ),
      COALESCE(
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date"
      )
    ) AS TIMESTAMP) AS first_,
    GREATEST(
      COALESCE(
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date"
      ),
      COALESCE(
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at"
      ),
      COALESCE(
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at"
      ),
      COALESCE(
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date"
      ),
      COALESCE(
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date"
      ),
      COALESCE(
        src."solution_date",
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date"
      ),
      COALESCE(
        src."validation_date",
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date"
      ),
      COALESCE(
        src."proposal_date",
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date"
      ),
      COALESCE(
        src."negotiation_date",
        src."created_at",
        src."closed_at",
        src."lead_date",
        src."qualification_date",
        src."discovery_date",
        src."solution_date",
        src."validation_date",
        src."proposal_date"
      )
    ) AS last_
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src."pipeline" AS VARCHAR)) IN ('New Business'), FALSE)
) AS labels
GROUP BY
  stage_,
  status_,
  lost_stage_
UNION ALL
SELECT
  'history' AS field,
  stage_,
  NULL,
  NULL,
  0,
  COUNT(*),
  CAST(NULL AS TIMESTAMP),
  CAST(NULL AS TIMESTAMP),
  0,
  MIN(entered_),
  MAX(entered_)
FROM (
  SELECT
    CAST("stage" AS VARCHAR) AS stage_,
    CAST(history."entered_at" AS TIMESTAMP) AS entered_
  FROM crm.stage_history AS history
) AS labels
GROUP BY
  stage_
LIMIT 40001;
