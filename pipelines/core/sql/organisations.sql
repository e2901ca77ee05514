SELECT * FROM reg_organisations ORDER BY organisation_id
