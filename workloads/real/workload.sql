-- Deterministic SQL workload for tests/real_programs: ~50k rows, indexes, joins, group by.
-- Run as: sqlite3 :memory: < workload.sql
.headers on
.mode list
PRAGMA cache_size = -20000;

CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, score REAL);
CREATE TABLE products(id INTEGER PRIMARY KEY, title TEXT NOT NULL, category TEXT, price INTEGER);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER, product_id INTEGER,
                    qty INTEGER, note TEXT);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO customers
SELECT i, 'customer-' || i || '-' || substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26, 1 + i % 13),
       CASE i % 5 WHEN 0 THEN 'north' WHEN 1 THEN 'south' WHEN 2 THEN 'east' WHEN 3 THEN 'west'
       ELSE 'center' END,
       (i * 7919 % 10007) / 100.0
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO products
SELECT i, 'product ' || hex(i * 2654435761 % 4294967296), 'cat-' || (i % 37), 100 + (i * 37 % 9900)
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO orders
SELECT i, 1 + (i * 48271 % 5000), 1 + (i * 16807 % 2000), 1 + i % 9,
       CASE WHEN i % 3 = 0 THEN NULL ELSE printf('note %d ', i) || substr('the quick brown fox jumps over the lazy dog', 1 + i % 40) END
FROM n;

CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX orders_product ON orders(product_id, qty);
CREATE INDEX customers_region ON customers(region, score);

SELECT count(*) AS orders, sum(qty) AS items, count(note) AS with_note FROM orders;

SELECT c.region, count(*) AS n, sum(o.qty * p.price) AS revenue, round(avg(c.score), 3) AS avg_score
FROM orders o JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = o.product_id
GROUP BY c.region ORDER BY revenue DESC;

SELECT p.category, count(DISTINCT o.customer_id) AS buyers, max(p.price) AS top_price
FROM orders o JOIN products p ON p.id = o.product_id
GROUP BY p.category HAVING buyers > 100 ORDER BY p.category LIMIT 12;

SELECT c.name, sum(o.qty) AS q
FROM customers c JOIN orders o ON o.customer_id = c.id
WHERE c.region = 'east' AND c.score > 50
GROUP BY c.id ORDER BY q DESC, c.id LIMIT 10;

-- Updates and deletes that churn pages, then a vacuum-like rebuild.
UPDATE orders SET note = upper(note) || '!' WHERE id % 7 = 0 AND note IS NOT NULL;
DELETE FROM orders WHERE id % 11 = 0;
CREATE TABLE orders2 AS SELECT * FROM orders ORDER BY customer_id, id;
DROP TABLE orders;
ALTER TABLE orders2 RENAME TO orders;
CREATE INDEX orders_customer2 ON orders(customer_id);

SELECT count(*) AS remaining, sum(length(note)) AS note_bytes, min(note) AS first_note FROM orders;

-- A window function and a correlated subquery.
SELECT customer_id, id, qty, sum(qty) OVER (PARTITION BY customer_id ORDER BY id) AS running
FROM orders WHERE customer_id IN (17, 4242) ORDER BY customer_id, id LIMIT 20;

SELECT count(*) AS above_avg FROM customers c
WHERE (SELECT sum(qty) FROM orders o WHERE o.customer_id = c.id) >
      (SELECT avg(t) FROM (SELECT sum(qty) AS t FROM orders GROUP BY customer_id));

-- Strings: group_concat over many rows.
SELECT length(group_concat(name, ',')) AS concat_len FROM (SELECT name FROM customers ORDER BY name);
