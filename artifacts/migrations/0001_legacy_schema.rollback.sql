-- Rolling back the baseline removes the legacy tables and every row in them.
DROP TABLE IF EXISTS products;
DROP TABLE IF EXISTS interactions;
DROP TABLE IF EXISTS customers;
