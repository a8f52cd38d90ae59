-- Rapport schema v14 (SQLite). Keep in step with ../postgres/0014_stage_version.sql
-- (schema-parity test).
-- A relationship's page says when it is ending or ended and when a note was last sent, so a
-- change to its stage or its messages moves the client's data_version too (see 0008): the page
-- kept in memory is then made again, whoever made the change.
CREATE TRIGGER care_stages_version_insert AFTER INSERT ON care_stages BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id = (SELECT client_id FROM relationships WHERE id = NEW.relationship_id);
END;
CREATE TRIGGER care_stages_version_update AFTER UPDATE ON care_stages BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id IN (SELECT client_id FROM relationships WHERE id IN (OLD.relationship_id, NEW.relationship_id));
END;
CREATE TRIGGER messages_version_insert AFTER INSERT ON messages BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id = (SELECT client_id FROM relationships WHERE id = NEW.relationship_id);
END;
