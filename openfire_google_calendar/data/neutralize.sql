-- neutralization of OpenFire Google Calendar: no token, no push channel, and
-- the sync stopped until an administrator decides (Settings, Google Calendar)
UPDATE of_google_account
   SET access_token = NULL, refresh_token = NULL, token_expiry = NULL,
       granted_scopes = NULL, state = 'disconnected', channel_id = NULL,
       channel_token = NULL, channel_resource_id = NULL, channel_expiration = NULL;
DELETE FROM of_google_push;
-- the service account reaches every delegated technician's calendar
DELETE FROM ir_config_parameter WHERE key = 'openfire_google_calendar.service_account_key';
INSERT INTO ir_config_parameter (key, value, create_date, write_date)
     VALUES ('openfire_google_calendar.sync_database_uuid', 'neutralized',
             now() at time zone 'UTC', now() at time zone 'UTC')
ON CONFLICT (key) DO UPDATE SET value = 'neutralized';
