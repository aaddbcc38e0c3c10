"""The ledger's views: `staff` under /work/ledger/, `public` at the site's root."""
