"""The three jobs: cited summary, risk review, care-plan draft."""
