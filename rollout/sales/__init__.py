"""Sales: the pipeline, CRM files and imports, money and rates, the sales metrics and analytics."""
