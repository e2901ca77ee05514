SELECT * FROM reg_people ORDER BY person_id
