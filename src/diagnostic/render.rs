//! STUB — renderers (human, JSON, GitHub).
