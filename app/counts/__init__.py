"""The counts every report is built from: the tally table and the fold that
brings it up to date, and the stored report snapshots that are dropped when the
counts change. It sits below units and campaigns so that an import, an edit or an
exclusion can update the counts without importing reporting."""
