"""The only place that writes SQL to the warehouse: connection + migrations, the loader, the publisher."""
