SELECT
  COUNT(*)
FROM pg_index AS i
JOIN pg_attribute AS a
  ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE
  i.indrelid = TO_REGCLASS('crm.deals')
  AND i.indisunique
  AND i.indnkeyatts = 1
  AND i.indpred IS NULL
  AND a.attname = 'deal_id';
