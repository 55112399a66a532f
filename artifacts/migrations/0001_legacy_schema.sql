-- The schema the inherited system had, kept exactly so that its databases upgrade in place.
-- IF NOT EXISTS: a legacy database that already holds these tables (and their rows)
-- adopts this history without losing anything.
CREATE TABLE IF NOT EXISTS customers (
    Customer_Id INT PRIMARY KEY,
    Occupation VARCHAR,
    Type VARCHAR
);

CREATE TABLE IF NOT EXISTS interactions (
    date_start TIMESTAMP,
    event VARCHAR,
    customers INT
);

CREATE TABLE IF NOT EXISTS products (
    date VARCHAR(7),
    product VARCHAR
);
