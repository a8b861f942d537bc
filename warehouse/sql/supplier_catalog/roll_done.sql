-- SCD2 between pushes, step 4: the rolled keys are no longer needed.
DROP TABLE IF EXISTS rolled_keys
