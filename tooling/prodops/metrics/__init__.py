"""KPIs: their model and computed values, their history files, the import of metric exports."""
