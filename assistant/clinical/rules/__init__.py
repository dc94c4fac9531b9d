"""Risk rules: score thresholds, laboratory ranges, trends and care gaps (medication safety lives in medsafety)."""
