SELECT * FROM reg_person_offices ORDER BY office_term_id
