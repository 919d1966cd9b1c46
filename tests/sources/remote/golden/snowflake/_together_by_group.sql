WITH typed AS (
  SELECT
    NULLIF(TRIM(CAST(src."deal_id" AS VARCHAR)), '') AS deal_id,
    CAST(src."stage" AS VARCHAR) AS stage_raw,
    CAST(NULL AS VARCHAR) AS status_raw,
    CAST(src."lost_at_stage" AS VARCHAR) AS lost_raw,
    CAST(src."amount" AS DOUBLE) * CASE
      WHEN NULLIF(TRIM(CAST(src."currency" AS VARCHAR)), '') IS NULL
      THEN CAST(1.0 AS DOUBLE)
      ELSE CASE NULLIF(TRIM(CAST(src."currency" AS VARCHAR)), '')
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
), history_rows AS (
  SELECT
    NULLIF(TRIM(CAST(history."deal_id" AS VARCHAR)), '') AS deal_id,
    m.stage AS stage_index,
    CAST(history."entered_at" AS TIMESTAMPNTZ) AS entered
  FROM crm.stage_history AS history
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
      'Nowhere' AS raw,
      CAST(NULL AS INT) AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      FALSE AS open_,
      TRUE AS unmapped
    UNION ALL
    SELECT
      'Qualification' AS raw,
      1 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
    UNION ALL
    SELECT
      'SQL' AS raw,
      1 AS stage,
      CAST(NULL AS VARCHAR) AS outcome,
      FALSE AS ignored,
      TRUE AS open_,
      FALSE AS unmapped
  ) AS m
    ON m.raw = CAST(history."stage" AS VARCHAR)
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
    LEAST_IGNORE_NULLS(r.d0, h.h0) AS e0,
    LEAST_IGNORE_NULLS(r.d1, h.h1) AS e1,
    LEAST_IGNORE_NULLS(r.d2, h.h2) AS e2,
    LEAST_IGNORE_NULLS(r.d3, h.h3) AS e3,
    LEAST_IGNORE_NULLS(r.d4, h.h4) AS e4,
    LEAST_IGNORE_NULLS(r.d5, h.h5) AS e5,
    LEAST_IGNORE_NULLS(r.d6, h.h6) AS e6
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
    GREATEST_IGNORE_NULLS(
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
    COALESCE(created_at, LEAST_IGNORE_NULLS(e0, e1, e2, e3, e4, e5, e6)) AS first_seen,
    DATE_PART(EPOCH_SECOND, e0) AS s0,
    DATE_PART(EPOCH_SECOND, e1) AS s1,
    DATE_PART(EPOCH_SECOND, e2) AS s2,
    DATE_PART(EPOCH_SECOND, e3) AS s3,
    DATE_PART(EPOCH_SECOND, e4) AS s4,
    DATE_PART(EPOCH_SECOND, e5) AS s5,
    DATE_PART(EPOCH_SECOND, e6) AS s6,
    DATE_PART(EPOCH_SECOND, COALESCE(created_at, LEAST_IGNORE_NULLS(e0, e1, e2, e3, e4, e5, e6))) AS s_first,
    DATE_PART(EPOCH_SECOND, closed_at) AS s_closed
  FROM judged
), kept_deals AS (
  SELECT
    deal_id,
    group_key,
    amount,
    created_at,
    CASE
      WHEN (
        status <> 'open'
        AND COALESCE(closed_at, COALESCE(GREATEST_IGNORE_NULLS(e0, e1, e2, e3, e4, e5, e6), first_seen)) < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
      )
      THEN closed_at
    END AS closed_at,
    CASE
      WHEN (
        status <> 'open'
        AND COALESCE(closed_at, COALESCE(GREATEST_IGNORE_NULLS(e0, e1, e2, e3, e4, e5, e6), first_seen)) < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
      )
      THEN status
      ELSE 'open'
    END AS status,
    CASE
      WHEN (
        status <> 'open'
        AND COALESCE(closed_at, COALESCE(GREATEST_IGNORE_NULLS(e0, e1, e2, e3, e4, e5, e6), first_seen)) < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
      )
      THEN position
      ELSE COALESCE(
        CASE
          WHEN e6 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 6
          WHEN e5 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 5
          WHEN e4 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 4
          WHEN e3 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 3
          WHEN e2 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 2
          WHEN e1 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 1
          WHEN e0 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
          THEN 0
        END,
        0
      )
    END AS position,
    first_seen,
    CASE WHEN e0 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e0 END AS e0,
    CASE WHEN e1 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e1 END AS e1,
    CASE WHEN e2 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e2 END AS e2,
    CASE WHEN e3 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e3 END AS e3,
    CASE WHEN e4 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e4 END AS e4,
    CASE WHEN e5 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e5 END AS e5,
    CASE WHEN e6 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN e6 END AS e6,
    CASE WHEN e0 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s0 END AS s0,
    CASE WHEN e1 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s1 END AS s1,
    CASE WHEN e2 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s2 END AS s2,
    CASE WHEN e3 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s3 END AS s3,
    CASE WHEN e4 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s4 END AS s4,
    CASE WHEN e5 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s5 END AS s5,
    CASE WHEN e6 < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ) THEN s6 END AS s6,
    s_first,
    CASE
      WHEN (
        status <> 'open'
        AND COALESCE(closed_at, COALESCE(GREATEST_IGNORE_NULLS(e0, e1, e2, e3, e4, e5, e6), first_seen)) < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
      )
      THEN s_closed
    END AS s_closed
  FROM (
    SELECT
      deal_id,
      group_key,
      amount,
      created_at,
      closed_at,
      status,
      position,
      first_seen,
      e0,
      e1,
      e2,
      e3,
      e4,
      e5,
      e6,
      s0,
      s1,
      s2,
      s3,
      s4,
      s5,
      s6,
      s_first,
      s_closed
    FROM first_rows
    WHERE
      COALESCE(
        NOT deal_id IS NULL
        AND unmapped_label IS NULL
        AND NOT position IS NULL
        AND unmapped_status IS NULL
        AND first_seen >= CAST('2024-01-01' AS TIMESTAMPNTZ)
        AND first_seen < CAST('2025-01-01' AS TIMESTAMPNTZ),
        FALSE
      )
  ) AS kept
  WHERE
    first_seen < CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ)
), funnel_deals AS (
  SELECT
    deal_id,
    (
      SELECT
        MAX(
          GREATEST_IGNORE_NULLS(first_seen, CASE WHEN status <> 'open' THEN closed_at END, e0, e1, e2, e3, e4, e5, e6)
        )
      FROM first_rows
    ) AS last_date,
    group_key,
    amount,
    created_at,
    closed_at,
    status,
    position,
    first_seen,
    e0,
    e1,
    e2,
    e3,
    e4,
    e5,
    e6,
    s0,
    s1,
    s2,
    s3,
    s4,
    s5,
    s6,
    s_first,
    s_closed
  FROM kept_deals
)
SELECT
  'end' AS part,
  0 AS grouping_,
  CAST(NULL AS VARCHAR) AS g,
  CAST(NULL AS BIGINT) AS key,
  CAST(NULL AS BIGINT) AS n,
  CAST(NULL AS DOUBLE) AS mean_,
  CAST(NULL AS DOUBLE) AS median_,
  CAST(NULL AS DOUBLE) AS spread_,
  CAST(last_ AS TIMESTAMPNTZ) AS last_
FROM (
  SELECT
    (
      SELECT
        MAX(
          GREATEST_IGNORE_NULLS(first_seen, CASE WHEN status <> 'open' THEN closed_at END, e0, e1, e2, e3, e4, e5, e6)
        )
      FROM first_rows
    ) AS last_
) AS end_0
UNION ALL
SELECT
  'amount' AS part,
  0 AS grouping_,
  CAST(g AS VARCHAR) AS g,
  CAST(NULL AS BIGINT) AS key,
  CAST(n AS BIGINT) AS n,
  CAST(mean_ AS DOUBLE) AS mean_,
  CAST(median_ AS DOUBLE) AS median_,
  CAST(spread_ AS DOUBLE) AS spread_,
  CAST(NULL AS TIMESTAMPNTZ) AS last_
FROM (
  SELECT
    g,
    COUNT(*) AS n,
    AVG(amount) AS mean_,
    AVG(CASE WHEN 2 * rank_ IN (n_, n_ + 1, n_ + 2) THEN amount END) AS median_,
    STDDEV(amount) AS spread_
  FROM (
    SELECT
      '*' AS g,
      amount,
      ROW_NUMBER() OVER (PARTITION BY '*' ORDER BY amount) AS rank_,
      COUNT(*) OVER (PARTITION BY '*') AS n_
    FROM funnel_deals
    WHERE
      status = 'won' AND NOT amount IS NULL
  ) AS won
  GROUP BY
    g
) AS amount_0
UNION ALL
SELECT
  'stay' AS part,
  1 AS grouping_,
  CAST(g AS VARCHAR) AS g,
  CAST(key AS BIGINT) AS key,
  CAST(n AS BIGINT) AS n,
  CAST(NULL AS DOUBLE) AS mean_,
  CAST(NULL AS DOUBLE) AS median_,
  CAST(NULL AS DOUBLE) AS spread_,
  CAST(NULL AS TIMESTAMPNTZ) AS last_
FROM (
  SELECT
    g,
    CAST(key AS BIGINT) AS key,
    COUNT(*) AS n
  FROM (
    SELECT
      g,
      unnested.key_ AS key
    FROM (
      SELECT
        *,
        COALESCE(group_key, '(none)') AS g,
        CASE status WHEN 'won' THEN 1 WHEN 'lost' THEN 2 ELSE 0 END AS outcome_,
        COALESCE(s1, s2, s3, s4, s5, s6, CASE WHEN status = 'won' THEN s_closed END) AS x0_,
        COALESCE(s2, s3, s4, s5, s6, CASE WHEN status = 'won' THEN s_closed END) AS x1_,
        COALESCE(s3, s4, s5, s6, CASE WHEN status = 'won' THEN s_closed END) AS x2_,
        COALESCE(s4, s5, s6, CASE WHEN status = 'won' THEN s_closed END) AS x3_,
        COALESCE(s5, s6, CASE WHEN status = 'won' THEN s_closed END) AS x4_,
        COALESCE(s6, CASE WHEN status = 'won' THEN s_closed END) AS x5_,
        COALESCE(CASE WHEN status = 'won' THEN s_closed END) AS x6_,
        TRUE AS fence_
      FROM (
        SELECT
          *,
          DATE_PART(
            EPOCH_SECOND,
            LEAST_IGNORE_NULLS(last_date, CAST('2025-01-01 00:00:00' AS TIMESTAMPNTZ))
          ) AS at_s
        FROM funnel_deals
      ) AS clocked
    ) AS d
    CROSS JOIN TABLE(
      FLATTEN(
        INPUT => CASE position
          WHEN 0
          THEN [
            CAST(0 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s0 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x0_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(s0, CASE WHEN outcome_ = 0 THEN COALESCE(CAST(NULL AS DOUBLE), s_first) END),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x0_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(s0, CASE WHEN outcome_ = 0 THEN COALESCE(CAST(NULL AS DOUBLE), s_first) END)
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(21 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
          WHEN 1
          THEN [
            CAST(0 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s0 IS NULL
            ) AND x0_ >= s0, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x0_ - s0
            ) / 86400.0), 0) AS BIGINT),
            CAST(3 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s1 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x1_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(s1, CASE WHEN outcome_ = 0 THEN COALESCE(s0, s_first) END),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x1_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(s1, CASE WHEN outcome_ = 0 THEN COALESCE(s0, s_first) END)
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(24 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
          WHEN 2
          THEN [
            CAST(0 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s0 IS NULL
            ) AND x0_ >= s0, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x0_ - s0
            ) / 86400.0), 0) AS BIGINT),
            CAST(3 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s1 IS NULL
            ) AND x1_ >= s1, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x1_ - s1
            ) / 86400.0), 0) AS BIGINT),
            CAST(6 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s2 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x2_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(
                  s2,
                  CASE WHEN outcome_ = 0 THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1), s_first) END
                ),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x2_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(
                    s2,
                    CASE WHEN outcome_ = 0 THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1), s_first) END
                  )
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(27 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
          WHEN 3
          THEN [
            CAST(0 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s0 IS NULL
            ) AND x0_ >= s0, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x0_ - s0
            ) / 86400.0), 0) AS BIGINT),
            CAST(3 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s1 IS NULL
            ) AND x1_ >= s1, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x1_ - s1
            ) / 86400.0), 0) AS BIGINT),
            CAST(6 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s2 IS NULL
            ) AND x2_ >= s2, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x2_ - s2
            ) / 86400.0), 0) AS BIGINT),
            CAST(9 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s3 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x3_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(
                  s3,
                  CASE
                    WHEN outcome_ = 0
                    THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2), s_first)
                  END
                ),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x3_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(
                    s3,
                    CASE
                      WHEN outcome_ = 0
                      THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2), s_first)
                    END
                  )
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(30 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
          WHEN 4
          THEN [
            CAST(0 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s0 IS NULL
            ) AND x0_ >= s0, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x0_ - s0
            ) / 86400.0), 0) AS BIGINT),
            CAST(3 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s1 IS NULL
            ) AND x1_ >= s1, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x1_ - s1
            ) / 86400.0), 0) AS BIGINT),
            CAST(6 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s2 IS NULL
            ) AND x2_ >= s2, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x2_ - s2
            ) / 86400.0), 0) AS BIGINT),
            CAST(9 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s3 IS NULL
            ) AND x3_ >= s3, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x3_ - s3
            ) / 86400.0), 0) AS BIGINT),
            CAST(12 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s4 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x4_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(
                  s4,
                  CASE
                    WHEN outcome_ = 0
                    THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2, s3), s_first)
                  END
                ),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x4_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(
                    s4,
                    CASE
                      WHEN outcome_ = 0
                      THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2, s3), s_first)
                    END
                  )
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(33 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
          WHEN 5
          THEN [
            CAST(0 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s0 IS NULL
            ) AND x0_ >= s0, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x0_ - s0
            ) / 86400.0), 0) AS BIGINT),
            CAST(3 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s1 IS NULL
            ) AND x1_ >= s1, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x1_ - s1
            ) / 86400.0), 0) AS BIGINT),
            CAST(6 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s2 IS NULL
            ) AND x2_ >= s2, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x2_ - s2
            ) / 86400.0), 0) AS BIGINT),
            CAST(9 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s3 IS NULL
            ) AND x3_ >= s3, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x3_ - s3
            ) / 86400.0), 0) AS BIGINT),
            CAST(12 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s4 IS NULL
            ) AND x4_ >= s4, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x4_ - s4
            ) / 86400.0), 0) AS BIGINT),
            CAST(15 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s5 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x5_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(
                  s5,
                  CASE
                    WHEN outcome_ = 0
                    THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2, s3, s4), s_first)
                  END
                ),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x5_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(
                    s5,
                    CASE
                      WHEN outcome_ = 0
                      THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2, s3, s4), s_first)
                    END
                  )
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(36 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
          WHEN 6
          THEN [
            CAST(0 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s0 IS NULL
            ) AND x0_ >= s0, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x0_ - s0
            ) / 86400.0), 0) AS BIGINT),
            CAST(3 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s1 IS NULL
            ) AND x1_ >= s1, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x1_ - s1
            ) / 86400.0), 0) AS BIGINT),
            CAST(6 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s2 IS NULL
            ) AND x2_ >= s2, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x2_ - s2
            ) / 86400.0), 0) AS BIGINT),
            CAST(9 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s3 IS NULL
            ) AND x3_ >= s3, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x3_ - s3
            ) / 86400.0), 0) AS BIGINT),
            CAST(12 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s4 IS NULL
            ) AND x4_ >= s4, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x4_ - s4
            ) / 86400.0), 0) AS BIGINT),
            CAST(15 + 1 AS BIGINT) * 536870912 + CASE WHEN COALESCE((
              NOT s5 IS NULL
            ) AND x5_ >= s5, FALSE) THEN 1 ELSE 0 END * 268435456 + CAST(GREATEST_IGNORE_NULLS(ROUND((
              x5_ - s5
            ) / 86400.0), 0) AS BIGINT),
            CAST(18 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  NOT s6 IS NULL
                )
                AND CASE outcome_ WHEN 1 THEN x6_ WHEN 2 THEN s_closed ELSE at_s END >= COALESCE(
                  s6,
                  CASE
                    WHEN outcome_ = 0
                    THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2, s3, s4, s5), s_first)
                  END
                ),
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND(
                (
                  CASE outcome_ WHEN 1 THEN x6_ WHEN 2 THEN s_closed ELSE at_s END - COALESCE(
                    s6,
                    CASE
                      WHEN outcome_ = 0
                      THEN COALESCE(GREATEST_IGNORE_NULLS(s0, s1, s2, s3, s4, s5), s_first)
                    END
                  )
                ) / 86400.0
              ),
              0
            ) AS BIGINT),
            CAST(39 + outcome_ AS BIGINT) * 536870912 + CASE
              WHEN COALESCE(
                (
                  TRUE
                ) AND CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END >= s_first,
                FALSE
              )
              THEN 1
              ELSE 0
            END * 268435456 + CAST(GREATEST_IGNORE_NULLS(
              ROUND((
                CASE WHEN outcome_ = 0 THEN at_s ELSE s_closed END - s_first
              ) / 86400.0),
              0
            ) AS BIGINT)
          ]
        END
      )
    ) AS unnested(seq, key, path, index, key_, this)
    WHERE
      d.fence_
  ) AS paired
  GROUP BY
    g,
    key
) AS stay_1
UNION ALL
SELECT
  'amount' AS part,
  1 AS grouping_,
  CAST(g AS VARCHAR) AS g,
  CAST(NULL AS BIGINT) AS key,
  CAST(n AS BIGINT) AS n,
  CAST(mean_ AS DOUBLE) AS mean_,
  CAST(median_ AS DOUBLE) AS median_,
  CAST(spread_ AS DOUBLE) AS spread_,
  CAST(NULL AS TIMESTAMPNTZ) AS last_
FROM (
  SELECT
    g,
    COUNT(*) AS n,
    AVG(amount) AS mean_,
    AVG(CASE WHEN 2 * rank_ IN (n_, n_ + 1, n_ + 2) THEN amount END) AS median_,
    STDDEV(amount) AS spread_
  FROM (
    SELECT
      COALESCE(group_key, '(none)') AS g,
      amount,
      ROW_NUMBER() OVER (PARTITION BY COALESCE(group_key, '(none)') ORDER BY amount) AS rank_,
      COUNT(*) OVER (PARTITION BY COALESCE(group_key, '(none)')) AS n_
    FROM funnel_deals
    WHERE
      status = 'won' AND NOT amount IS NULL
  ) AS won
  GROUP BY
    g
) AS amount_1;
