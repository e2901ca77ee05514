-- licences: the licences registry (sources/registry/licences.yaml), one row per licence.
SELECT * FROM reg_licences ORDER BY licence_id
