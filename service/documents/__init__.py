"""Documents: metadata, and the uploaded file kept under ``<data_dir>/documents/<builder>/<id>``."""
