SELECT
  'deals' AS field,
  stage_,
  status_,
  lost_stage_,
  SUM(missing_) AS missing,
  COUNT(*) AS n,
  MAX(latest_) AS latest,
  MAX(closed_) AS closed,
  SUM(wild_) AS wild
FROM (
  SELECT
    CAST(`stage` AS STRING) AS stage_,
    CAST(NULL AS STRING) AS status_,
    CAST(`lost_at_stage` AS STRING) AS lost_stage_,
    CASE WHEN NULLIF(TRIM(CAST(src.`deal_id` AS STRING)), '') IS NULL THEN 1 ELSE 0 END AS missing_,
    CAST(NULL AS DATETIME) AS latest_,
    CAST(NULL AS DATETIME) AS closed_,
    CASE
      WHEN NOT src.`amount` IS NULL
      AND NOT COALESCE(ABS(src.`amount`) <= 1000000000000000, FALSE)
      THEN 1
      ELSE 0
    END AS wild_
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src.`pipeline` AS STRING)) IN ('New Business'), FALSE)
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
  CAST(NULL AS DATETIME),
  CAST(NULL AS DATETIME),
  0
FROM (
  SELECT
    CAST(`stage` AS STRING) AS stage_
  FROM crm.stage_history AS history
) AS labels
GROUP BY
  stage_
LIMIT 40001;
