-- A national-scale register for the EXPLAIN checks of the asset list (bench/equipment_register.py
-- loads it): 100 départements of one commune each, 50,000 schools (500 a département), 1,000,000
-- devices (20 a school, and 5 % in the départements' stocks), states spread, tags and serials
-- unique. Runs in a few tens of seconds with generate_series; idempotent on an empty register.
BEGIN;
INSERT INTO territory_territorynode (kind, code, name, path, depth, is_pilot, parent_id, search_name)
VALUES ('COUNTRY', 'FR', 'France', '/FR/', 0, false, NULL, 'FRANCE')
ON CONFLICT DO NOTHING;
INSERT INTO territory_territorynode (kind, code, name, path, depth, is_pilot, parent_id, search_name)
SELECT 'REGION', 'B1', 'Région banc', '/FR/RB1/', 1, false, id, 'REGION BANC'
FROM territory_territorynode WHERE path = '/FR/' ON CONFLICT DO NOTHING;
INSERT INTO territory_territorynode (kind, code, name, path, depth, is_pilot, parent_id, search_name)
SELECT 'ACADEMIE', 'B1', 'Académie banc', '/FR/RB1/AB1/', 2, false, id, 'ACADEMIE BANC'
FROM territory_territorynode WHERE path = '/FR/RB1/' ON CONFLICT DO NOTHING;
INSERT INTO territory_territorynode (kind, code, name, path, depth, is_pilot, parent_id, search_name)
SELECT 'DEPARTEMENT', 'B' || lpad(d::text, 2, '0'), 'Département ' || d,
       '/FR/RB1/AB1/DB' || lpad(d::text, 2, '0') || '/', 3, false, a.id, 'DEPARTEMENT ' || d
FROM generate_series(1, 100) d, territory_territorynode a WHERE a.path = '/FR/RB1/AB1/'
ON CONFLICT DO NOTHING;
INSERT INTO territory_territorynode (kind, code, name, path, depth, is_pilot, parent_id, search_name)
SELECT 'COMMUNE', 'B' || lpad(substr(n.code, 2), 2, '0') || '001', 'Commune ' || substr(n.code, 2),
       n.path || 'CB' || substr(n.code, 2) || '001/', 4, false, n.id, 'COMMUNE ' || substr(n.code, 2)
FROM territory_territorynode n WHERE n.kind = 'DEPARTEMENT' AND n.code LIKE 'B%'
ON CONFLICT DO NOTHING;
INSERT INTO territory_school (uai, name, kind, sector, education_network, ips_year, pupils_by_level,
    address, postcode, synthesised_fields, updated_at, academie_id, commune_id, departement_id,
    owner_id, region_id, search_name, name_needs_review, ips)
SELECT lpad(s::text, 7, '0') || 'B', 'École ' || s, 'ELEMENTAIRE', 'PUBLIC', '', '', '{}', '', '',
       '[]', now(), acad.id, c.id, c.parent_id, c.id, reg.id, 'ECOLE ' || s, false, 100
FROM generate_series(1, 50000) s
JOIN territory_territorynode c ON c.kind = 'COMMUNE' AND c.code = 'B' || lpad((1 + (s - 1) % 100)::text, 2, '0') || '001'
JOIN territory_territorynode acad ON acad.path = '/FR/RB1/AB1/'
JOIN territory_territorynode reg ON reg.path = '/FR/RB1/'
ON CONFLICT DO NOTHING;
INSERT INTO equipment_devicemodel (category_id, maker, reference, name, unit_price, warranty_months, is_active, updated_at)
SELECT c.id, 'Fabricant', 'BENCH-' || c.code, c.name || ' banc', 500, 24, true, now()
FROM equipment_category c ON CONFLICT DO NOTHING;
-- 950,000 devices at schools (19 each), 50,000 in stock (500 a département).
INSERT INTO equipment_asset (serial_number, asset_tag, model_id, state, school_id, stock_node_id,
    delivered_on, source, note, created_at, updated_at)
SELECT 'SN' || lpad(to_hex(i::bigint * 2654435761 % 4294967296), 8, '0') || lpad(i::text, 7, '0'),
       'TNE-' || lpad(((i::bigint * 7919) % 1000003)::text, 7, '0'),
       m.ids[1 + i % array_length(m.ids, 1)],
       (ARRAY['INSTALLED','INSTALLED','INSTALLED','INSTALLED','ALLOCATED','LENT','IN_REPAIR','LOST','RETIRED','INSTALLED'])[1 + ((i::bigint * 37) / 11) % 10],
       sch.first + (i - 1) % 50000, NULL, DATE '2026-09-01', 'DELIVERY', '', now(), now()
FROM generate_series(1, 950000) i,
     (SELECT array_agg(id ORDER BY id) ids FROM equipment_devicemodel WHERE reference LIKE 'BENCH-%') m,
     (SELECT min(id) first FROM territory_school WHERE uai LIKE '%B') sch
ON CONFLICT DO NOTHING;
INSERT INTO equipment_asset (serial_number, asset_tag, model_id, state, school_id, stock_node_id,
    delivered_on, source, note, created_at, updated_at)
SELECT 'SK' || lpad(i::text, 9, '0'), 'TNE-S' || lpad(i::text, 6, '0'),
       m.ids[1 + i % array_length(m.ids, 1)], 'IN_STOCK', NULL, d.ids[1 + i % 100],
       DATE '2026-09-01', 'DELIVERY', '', now(), now()
FROM generate_series(1, 50000) i,
     (SELECT array_agg(id ORDER BY id) ids FROM equipment_devicemodel WHERE reference LIKE 'BENCH-%') m,
     (SELECT array_agg(id ORDER BY id) ids FROM territory_territorynode WHERE kind = 'DEPARTEMENT' AND code LIKE 'B%') d
ON CONFLICT DO NOTHING;
COMMIT;
ANALYZE territory_territorynode;
ANALYZE territory_school;
ANALYZE equipment_asset;
