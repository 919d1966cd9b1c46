WITH typed AS (
  SELECT
    NULLIF(TRIM(CAST(src."deal_id" AS VARCHAR)), '') AS deal_id,
    CAST(src."stage" AS VARCHAR) AS stage_raw,
    CAST(NULL AS VARCHAR) AS status_raw,
    CAST(src."lost_at_stage" AS VARCHAR) AS lost_raw,
    CAST(src."amount" AS DOUBLE) AS amount,
    CAST(src."created_at" AS TIMESTAMPNTZ) AS created_at,
    CAST(src."closed_at" AS TIMESTAMPNTZ) AS closed_at,
    CAST(src."lead_date" AS TIMESTAMPNTZ) AS d0,
    CAST(src."qualification_date" AS TIMESTAMPNTZ) AS d1,
    CAST(src."discovery_date" AS TIMESTAMPNTZ) AS d2,
    CAST(src."solution_date" AS TIMESTAMPNTZ) AS d3,
    CAST(src."validation_date" AS TIMESTAMPNTZ) AS d4,
    CAST(src."proposal_date" AS TIMESTAMPNTZ) AS d5,
    CAST(src."negotiation_date" AS TIMESTAMPNTZ) AS d6,
    NULLIF(TRIM(CAST(src."region" AS VARCHAR)), '') AS group_key,
    COALESCE(TRIM(CAST(src."pipeline" AS VARCHAR)) IN ('New Business'), FALSE) AS kept_,
    NULLIF(TRIM(CAST(src."currency" AS VARCHAR)), '') AS currency_raw
  FROM crm.deals AS src
), deals_raw AS (
  SELECT
    t.*,
    s.stage AS label_stage,
    s.outcome AS label_outcome,
    CASE WHEN s.unmapped THEN t.stage_raw END AS unmapped_label,
    CAST(NULL AS VARCHAR) AS status_outcome,
    FALSE AS status_given,
    CAST(NULL AS VARCHAR) AS unmapped_status,
    l.stage AS lost_stage,
    CASE WHEN l.unmapped THEN t.lost_raw END AS unmapped_lost,
    CASE
      WHEN NOT t.kept_
      THEN 'filter'
      WHEN COALESCE(s.ignored, FALSE)
      THEN 'ignored'
    END AS left_out
  FROM typed AS t
  LEFT JOIN (
    SELECT
      'Closed Lost' AS raw,
      CAST(NULL AS INT) AS stage,
      'lost' AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Closed Won' AS raw,
      CAST(NULL AS INT) AS stage,
      'won' AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Duplicate' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      TRUE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Lead' AS raw,
      0 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Mystery' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Proposal Sent' AS raw,
      5 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Technical Evaluation' AS raw,
      4 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'discovery' AS raw,
      2 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
  ) AS s
    ON s.raw = t.stage_raw
  LEFT JOIN (
    SELECT
      'Demo' AS raw,
      3 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Somewhere' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
  ) AS l
    ON l.raw = t.lost_raw
)
SELECT
  currency_raw,
  COUNT(*)
FROM deals_raw
WHERE
  COALESCE(left_out IS NULL AND NOT currency_raw IS NULL, FALSE)
GROUP BY
  currency_raw;
