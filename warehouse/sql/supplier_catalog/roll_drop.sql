-- SCD2 between pushes, step 5: the rolled keys are no longer needed.
DROP TABLE IF EXISTS rolled_keys
