SELECT * FROM reg_places ORDER BY place_id
