"""Reports: the figures and indices of a campaign (JSON and CSV), served from
the stored snapshots, and the results pages."""
