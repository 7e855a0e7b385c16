"""Survey campaigns: their scope, targets and quotas, progress, review and
exclusion of responses, the campaigns API and the coordinator's dashboard pages."""
