"""Pages of the approvals app: staff work (`work`), filing by assistants (`filing`) and the
villager's public tracking (`tracking`). Views hold no rules: they call services and selectors."""
