-- The inherited system's three tables as it created them: no migration history.
CREATE TABLE customers (Customer_Id INT PRIMARY KEY, Occupation VARCHAR, Type VARCHAR);
CREATE TABLE interactions (date_start TIMESTAMP, event VARCHAR, customers INT);
CREATE TABLE products (date VARCHAR(7), product VARCHAR);
