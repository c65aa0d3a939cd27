//! STUB — WhatsApp guards.
