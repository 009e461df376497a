"""Write services of the core app (house rule 1): keyword-only, typed, one transaction, audited."""
