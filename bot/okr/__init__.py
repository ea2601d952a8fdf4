"""Team OKRs: objectives and key results of a channel, check-ins, quarterly archive."""
