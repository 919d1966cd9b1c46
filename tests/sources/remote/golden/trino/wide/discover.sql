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
    GREATEST(
      COALESCE(
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."proposal_date" AS TIMESTAMP),
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP)
      ),
      COALESCE(
        CAST(src."negotiation_date" AS TIMESTAMP),
        CAST(src."created_at" AS TIMESTAMP),
        CAST(src."lead_date" AS TIMESTAMP),
        CAST(src."qualification_date" AS TIMESTAMP),
        CAST(src."discovery_date" AS TIMESTAMP),
        CAST(src."solution_date" AS TIMESTAMP),
        CAST(src."validation_date" AS TIMESTAMP),
        CAST(src."proposal_date" AS TIMESTAMP)
      )
    ) AS latest_,
    CAST(src."closed_at" AS TIMESTAMP) AS closed_,
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
    CAST(NULL AS TIMESTAMP) AS last_
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src."pipeline" AS VARCHAR)) IN ('New Business'), FALSE)
) AS labels
GROUP BY
  stage_,
  status_,
  lost_stage_
LIMIT 40001;
