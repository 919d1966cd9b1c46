SELECT
  'deals' AS field,
  stage_,
  status_,
  lost_stage_,
  SUM(missing_) AS missing,
  COUNT(*) AS n
FROM (
  SELECT
    CAST("stage" AS TEXT) AS stage_,
    CAST(NULL AS TEXT) AS status_,
    CAST("lost_at_stage" AS TEXT) AS lost_stage_,
    CASE WHEN NULLIF(TRIM(CAST(src."deal_id" AS TEXT)), '') IS NULL THEN 1 ELSE 0 END AS missing_
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src."pipeline" AS TEXT)) IN ('New Business'), FALSE)
) AS labels
GROUP BY
  stage_,
  status_,
  lost_stage_
LIMIT 40001;
