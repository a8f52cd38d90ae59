-- Rapport schema v12 (PostgreSQL). Keep in step with ../sqlite/0012_time_zones.sql
-- (schema-parity test).
-- Every account has an IANA time zone (see rapport_core::zone); a therapist's published hours
-- are wall-clock times in it, so care_settings no longer keeps a fixed UTC offset.
-- A therapist's old offset becomes the zone it matches where that is unambiguous: whole hours
-- become the fixed zone of exactly that offset (UTC, Etc/GMT-1 for +01:00, ...: nothing already
-- booked or published moves), +05:30 becomes Asia/Kolkata and +05:45 Asia/Kathmandu (every zone
-- at those offsets keeps the same clock); any other offset becomes UTC. Except for the two named
-- zones, the old offset is kept in zone_notice_offset so the therapist's week page asks them to
-- choose their city's zone (a fixed offset does not follow clock changes); saving clears it.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE care_settings ADD COLUMN zone_notice_offset BIGINT;
UPDATE users SET time_zone = (
    SELECT CASE
        WHEN s.utc_offset_minutes = 330 THEN 'Asia/Kolkata'
        WHEN s.utc_offset_minutes = 345 THEN 'Asia/Kathmandu'
        WHEN s.utc_offset_minutes = 0 THEN 'UTC'
        WHEN s.utc_offset_minutes % 60 <> 0 THEN 'UTC'
        WHEN s.utc_offset_minutes > 0 THEN 'Etc/GMT-' || (s.utc_offset_minutes / 60)
        ELSE 'Etc/GMT+' || (-s.utc_offset_minutes / 60)
    END
    FROM care_settings s WHERE s.therapist_id = users.id
) WHERE id IN (SELECT therapist_id FROM care_settings);
UPDATE care_settings SET zone_notice_offset = utc_offset_minutes
    WHERE utc_offset_minutes NOT IN (330, 345);
ALTER TABLE care_settings DROP COLUMN utc_offset_minutes;
