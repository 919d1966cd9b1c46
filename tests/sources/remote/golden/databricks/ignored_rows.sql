WITH typed AS (
  SELECT
    NULLIF(TRIM(CAST(src.`deal_id` AS STRING)), '') AS deal_id,
    CAST(src.`stage` AS STRING) AS stage_raw,
    CAST(NULL AS STRING) AS status_raw,
    CAST(src.`lost_at_stage` AS STRING) AS lost_raw,
    CAST(src.`amount` AS DOUBLE) * CASE
      WHEN NULLIF(TRIM(CAST(src.`currency` AS STRING)), '') IS NULL
      THEN CAST(1.0 AS DOUBLE)
      ELSE CASE NULLIF(TRIM(CAST(src.`currency` AS STRING)), '')
        WHEN 'USD'
        THEN CAST(1.0 AS DOUBLE)
        WHEN 'eur'
        THEN CAST(1.1 AS DOUBLE)
        WHEN 'usd'
        THEN CAST(1.0 AS DOUBLE)
        WHEN '€'
        THEN CAST(1.1 AS DOUBLE)
      END
    END AS amount,
    CAST(src.`created_at` AS TIMESTAMP_NTZ) AS created_at,
    CAST(src.`closed_at` AS TIMESTAMP_NTZ) AS closed_at,
    CAST(src.`lead_date` AS TIMESTAMP_NTZ) AS d0,
    CAST(src.`qualification_date` AS TIMESTAMP_NTZ) AS d1,
    CAST(src.`discovery_date` AS TIMESTAMP_NTZ) AS d2,
    CAST(src.`solution_date` AS TIMESTAMP_NTZ) AS d3,
    CAST(src.`validation_date` AS TIMESTAMP_NTZ) AS d4,
    CAST(src.`proposal_date` AS TIMESTAMP_NTZ) AS d5,
    CAST(src.`negotiation_date` AS TIMESTAMP_NTZ) AS d6,
    NULLIF(TRIM(CAST(src.`region` AS STRING)), '') AS group_key,
    COALESCE(TRIM(CAST(src.`pipeline` AS STRING)) IN ('New Business'), FALSE) AS kept_,
    NULLIF(TRIM(CAST(src.`currency` AS STRING)), '') AS currency_raw
  FROM crm.deals AS src
), deals_raw AS (
  SELECT
    t.*,
    s.stage AS label_stage,
    s.outcome AS label_outcome,
    CASE WHEN s.unmapped THEN t.stage_raw END AS unmapped_label,
    CAST(NULL AS STRING) AS status_outcome,
    FALSE AS status_given,
    CAST(NULL AS STRING) AS unmapped_status,
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
      CAST(NULL AS STRING) AS outcome,
      TRUE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Lead' AS raw,
      0 AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Mystery' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Proposal Sent' AS raw,
      5 AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Technical Evaluation' AS raw,
      4 AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'discovery' AS raw,
      2 AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
  ) AS s
    ON s.raw = t.stage_raw
  LEFT JOIN (
    SELECT
      'Demo' AS raw,
      3 AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Somewhere' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS STRING) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
  ) AS l
    ON l.raw = t.lost_raw
)
SELECT
  COUNT(*)
FROM deals_raw
WHERE
  left_out = 'ignored';
