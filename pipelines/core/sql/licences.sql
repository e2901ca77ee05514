SELECT * FROM reg_licences ORDER BY licence_id
