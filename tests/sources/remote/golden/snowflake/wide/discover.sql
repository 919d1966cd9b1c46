SELECT
  field,
  raw
FROM (
  SELECT
    'stage' AS field,
    CAST("stage" AS VARCHAR) AS raw
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src."pipeline" AS VARCHAR)) IN ('New Business'), FALSE)
  UNION ALL
  SELECT
    'lost_stage' AS field,
    CAST("lost_at_stage" AS VARCHAR) AS raw
  FROM crm.deals AS src
  WHERE
    COALESCE(TRIM(CAST(src."pipeline" AS VARCHAR)) IN ('New Business'), FALSE)
) AS labels
WHERE
  NOT raw IS NULL
GROUP BY
  field,
  raw
LIMIT 40001;
