-- The example rows of the brief, as the inherited system held them in its legacy tables.
INSERT INTO customers VALUES
    (1, 'Jedi', 'Red'), (2, 'Batman', 'Orange'), (3, 'Santa Claus', 'Blue'), (4, 'Mover', 'Orange');

INSERT INTO interactions VALUES
    ('2019-10-04 09:00', 'Email', 1),
    ('2020-02-11 16:10', 'Call', 4),
    ('2020-03-05 11:23', 'Bird', 4),
    ('2020-02-11 16:24', 'Call', 5);

INSERT INTO products VALUES
    ('01-2019', 'Sand'), ('02-2019', 'Sand'), ('03-2019', 'Sand'), ('04-2019', 'Sand'),
    ('05-2019', 'Sand');
