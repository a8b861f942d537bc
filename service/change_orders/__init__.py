"""Change orders: proposed changes to a budget, approved or rejected; approval moves the budget."""
