WITH typed AS (
  SELECT
    NULLIF(TRIM(CAST(src."deal_id" AS TEXT)), '') AS deal_id,
    CAST(src."stage" AS TEXT) AS stage_raw,
    CAST(NULL AS TEXT) AS status_raw,
    CAST(src."lost_at_stage" AS TEXT) AS lost_raw,
    CAST(src."amount" AS DOUBLE PRECISION) * CASE
      WHEN NULLIF(TRIM(CAST(src."currency" AS TEXT)), '') IS NULL
      THEN CAST(1.0 AS DOUBLE PRECISION)
      ELSE CASE NULLIF(TRIM(CAST(src."currency" AS TEXT)), '')
        WHEN 'USD'
        THEN CAST(1.0 AS DOUBLE PRECISION)
        WHEN 'eur'
        THEN CAST(1.1 AS DOUBLE PRECISION)
        WHEN 'usd'
        THEN CAST(1.0 AS DOUBLE PRECISION)
        WHEN '€'
        THEN CAST(1.1 AS DOUBLE PRECISION)
      END
    END AS amount,
    CAST(src."created_at" AS TIMESTAMP) AS created_at,
    CAST(src."closed_at" AS TIMESTAMP) AS closed_at,
    CAST(src."lead_date" AS TIMESTAMP) AS d0,
    CAST(src."qualification_date" AS TIMESTAMP) AS d1,
    CAST(src."discovery_date" AS TIMESTAMP) AS d2,
    CAST(src."solution_date" AS TIMESTAMP) AS d3,
    CAST(src."validation_date" AS TIMESTAMP) AS d4,
    CAST(src."proposal_date" AS TIMESTAMP) AS d5,
    CAST(src."negotiation_date" AS TIMESTAMP) AS d6,
    NULLIF(TRIM(CAST(src."region" AS TEXT)), '') AS group_key,
    COALESCE(TRIM(CAST(src."pipeline" AS TEXT)) IN ('New Business'), FALSE) AS kept_,
    NULLIF(TRIM(CAST(src."currency" AS TEXT)), '') AS currency_raw
  FROM crm.deals AS src
), deals_raw AS (
  SELECT
    t.*,
    s.stage AS label_stage,
    s.outcome AS label_outcome,
    CASE WHEN s.unmapped THEN t.stage_raw END AS unmapped_label,
    CAST(NULL AS TEXT) AS status_outcome,
    FALSE AS status_given,
    CAST(NULL AS TEXT) AS unmapped_status,
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
      CAST(NULL AS TEXT) AS outcome,
      TRUE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Lead' AS raw,
      0 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Mystery' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Proposal Sent' AS raw,
      5 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Technical Evaluation' AS raw,
      4 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'discovery' AS raw,
      2 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
  ) AS s
    ON s.raw = t.stage_raw
  LEFT JOIN (
    SELECT
      'Demo' AS raw,
      3 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Somewhere' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
  ) AS l
    ON l.raw = t.lost_raw
), history_rows AS (
  SELECT
    NULLIF(TRIM(CAST(history."deal_id" AS TEXT)), '') AS deal_id,
    m.stage AS stage_index,
    CAST(history."entered_at" AS TIMESTAMP) AS entered
  FROM crm.stage_history AS history
  LEFT JOIN (
    SELECT
      'Demo' AS raw,
      3 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'Nowhere' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Qualification' AS raw,
      1 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'SQL' AS raw,
      1 AS stage,
      CAST(NULL AS TEXT) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
  ) AS m
    ON m.raw = CAST(history."stage" AS TEXT)
), history_wide AS (
  SELECT
    deal_id,
    MIN(CASE WHEN stage_index = 0 THEN entered END) AS h0,
    MIN(CASE WHEN stage_index = 1 THEN entered END) AS h1,
    MIN(CASE WHEN stage_index = 2 THEN entered END) AS h2,
    MIN(CASE WHEN stage_index = 3 THEN entered END) AS h3,
    MIN(CASE WHEN stage_index = 4 THEN entered END) AS h4,
    MIN(CASE WHEN stage_index = 5 THEN entered END) AS h5,
    MIN(CASE WHEN stage_index = 6 THEN entered END) AS h6
  FROM history_rows
  WHERE
    NOT deal_id IS NULL AND NOT stage_index IS NULL
  GROUP BY
    deal_id
), dated AS (
  SELECT
    r.*,
    LEAST(r.d0, h.h0) AS e0,
    LEAST(r.d1, h.h1) AS e1,
    LEAST(r.d2, h.h2) AS e2,
    LEAST(r.d3, h.h3) AS e3,
    LEAST(r.d4, h.h4) AS e4,
    LEAST(r.d5, h.h5) AS e5,
    LEAST(r.d6, h.h6) AS e6
  FROM deals_raw AS r
  LEFT JOIN history_wide AS h
    ON h.deal_id = r.deal_id
  WHERE
    COALESCE(r.left_out IS NULL, FALSE)
), judged AS (
  SELECT
    *,
    CASE
      WHEN status_given
      THEN COALESCE(status_outcome, 'open')
      ELSE COALESCE(label_outcome, 'open')
    END AS status,
    GREATEST(
      label_stage,
      CASE
        WHEN NOT e6 IS NULL
        THEN 6
        WHEN NOT e5 IS NULL
        THEN 5
        WHEN NOT e4 IS NULL
        THEN 4
        WHEN NOT e3 IS NULL
        THEN 3
        WHEN NOT e2 IS NULL
        THEN 2
        WHEN NOT e1 IS NULL
        THEN 1
        WHEN NOT e0 IS NULL
        THEN 0
      END
    ) AS furthest
  FROM dated
), first_rows AS (
  SELECT
    deal_id,
    group_key,
    amount,
    created_at,
    closed_at,
    status,
    e0,
    e1,
    e2,
    e3,
    e4,
    e5,
    e6,
    unmapped_label,
    unmapped_status,
    CASE status
      WHEN 'won'
      THEN 6
      WHEN 'lost'
      THEN COALESCE(lost_stage, furthest, 0)
      ELSE furthest
    END AS position,
    COALESCE(created_at, LEAST(e0, e1, e2, e3, e4, e5, e6)) AS first_seen,
    EXTRACT(EPOCH FROM e0) AS s0,
    EXTRACT(EPOCH FROM e1) AS s1,
    EXTRACT(EPOCH FROM e2) AS s2,
    EXTRACT(EPOCH FROM e3) AS s3,
    EXTRACT(EPOCH FROM e4) AS s4,
    EXTRACT(EPOCH FROM e5) AS s5,
    EXTRACT(EPOCH FROM e6) AS s6,
    EXTRACT(EPOCH FROM COALESCE(created_at, LEAST(e0, e1, e2, e3, e4, e5, e6))) AS s_first,
    EXTRACT(EPOCH FROM closed_at) AS s_closed
  FROM judged
)
SELECT
  COUNT(*)
FROM first_rows
WHERE
  first_seen IS NULL
  AND NOT deal_id IS NULL
  AND unmapped_label IS NULL
  AND NOT position IS NULL;
