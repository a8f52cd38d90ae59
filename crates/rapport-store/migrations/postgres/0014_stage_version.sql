-- Rapport schema v14 (PostgreSQL). Keep in step with ../sqlite/0014_stage_version.sql
-- (schema-parity test).
-- A relationship's page says when it is ending or ended and when a note was last sent, so a
-- change to its stage or its messages moves the client's data_version too (see 0008): the page
-- kept in memory is then made again, whoever made the change.
CREATE FUNCTION relationship_rows_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.relationship_id IS DISTINCT FROM OLD.relationship_id THEN
        UPDATE users SET data_version = data_version + 1
            WHERE id = (SELECT client_id FROM relationships WHERE id = OLD.relationship_id);
    END IF;
    UPDATE users SET data_version = data_version + 1
        WHERE id = (SELECT client_id FROM relationships WHERE id = NEW.relationship_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER care_stages_version AFTER INSERT OR UPDATE ON care_stages
    FOR EACH ROW EXECUTE FUNCTION relationship_rows_bump_version();
CREATE TRIGGER messages_version AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION relationship_rows_bump_version();
