//! STUB — business-hours calendars.
