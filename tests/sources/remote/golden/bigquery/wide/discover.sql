SELECT
  'deals' AS field,
  stage_,
  status_,
  lost_stage_,
  SUM(missing_) AS missing,
  COUNT(*) AS n
FROM (
  SELECT
    CAST(`stage` AS STRING) AS stage_,
    CAST(NULL AS STRING) AS status_,
    CAST(`lost_at_stage` AS STRING) AS lost_stage_,
    CASE WHEN NULLIF(TRIM(CAST(src.`deal_id` AS STRING)), '') IS NULL THEN 1 ELSE 0 END AS missing_
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src.`pipeline` AS STRING)) IN ('New Business'), FALSE)
) AS labels
GROUP BY
  stage_,
  status_,
  lost_stage_
LIMIT 40001;
