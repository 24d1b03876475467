"""Reading what users write: safe YAML, validated deal and library models, typed values."""
