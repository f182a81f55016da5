DROP TABLE portal_form_uses;
DROP TABLE portal_sessions;
