-- 028_contract_sums.sql for PostgreSQL: the table and backfill of
-- ../028_contract_sums.sql, the triggers as one PL/pgSQL function (row
-- triggers; each adds or removes its own row's figures, so running at the
-- end of the statement changes nothing).
CREATE TABLE contract_sums (
    ym TEXT NOT NULL,           -- substr(registered_on, 1, 7): 'YYYY-MM'
    unit_id INTEGER NOT NULL,   -- contracts.unit_id (the seller's unit)
    type TEXT NOT NULL,
    field INTEGER NOT NULL,     -- contracts.field, 0 for none
    buyer_place TEXT NOT NULL,
    seller_place TEXT NOT NULL,
    n INTEGER NOT NULL,         -- registered contracts
    amount INTEGER NOT NULL,    -- their 合同成交额, 元
    tech_amount INTEGER NOT NULL, -- their 技术交易额, 元
    PRIMARY KEY (ym, unit_id, type, field, buyer_place, seller_place)
);

INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
    seller_place, n, amount, tech_amount)
SELECT substr(registered_on, 1, 7), unit_id, type, COALESCE(field, 0),
    buyer_place, seller_place, COUNT(*), SUM(amount), SUM(tech_amount)
FROM contracts WHERE status = 'registered'
GROUP BY substr(registered_on, 1, 7), unit_id, type, COALESCE(field, 0),
    buyer_place, seller_place;

CREATE FUNCTION contract_sums_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'registered' THEN
        INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
            seller_place, n, amount, tech_amount)
        VALUES (substr(OLD.registered_on, 1, 7), OLD.unit_id, OLD.type,
            COALESCE(OLD.field, 0), OLD.buyer_place, OLD.seller_place, -1,
            -OLD.amount, -OLD.tech_amount)
        ON CONFLICT (ym, unit_id, type, field, buyer_place, seller_place)
        DO UPDATE SET n = contract_sums.n + excluded.n,
            amount = contract_sums.amount + excluded.amount,
            tech_amount = contract_sums.tech_amount + excluded.tech_amount;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'registered' THEN
        INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
            seller_place, n, amount, tech_amount)
        VALUES (substr(NEW.registered_on, 1, 7), NEW.unit_id, NEW.type,
            COALESCE(NEW.field, 0), NEW.buyer_place, NEW.seller_place, 1,
            NEW.amount, NEW.tech_amount)
        ON CONFLICT (ym, unit_id, type, field, buyer_place, seller_place)
        DO UPDATE SET n = contract_sums.n + excluded.n,
            amount = contract_sums.amount + excluded.amount,
            tech_amount = contract_sums.tech_amount + excluded.tech_amount;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER contract_sums_ai AFTER INSERT ON contracts FOR EACH ROW
    WHEN (NEW.status = 'registered') EXECUTE FUNCTION contract_sums_row();
CREATE TRIGGER contract_sums_au AFTER UPDATE OF status, registered_on,
    unit_id, type, field, buyer_place, seller_place, amount, tech_amount
    ON contracts FOR EACH ROW
    WHEN (NEW.status = 'registered' OR OLD.status = 'registered')
    EXECUTE FUNCTION contract_sums_row();
CREATE TRIGGER contract_sums_ad AFTER DELETE ON contracts FOR EACH ROW
    WHEN (OLD.status = 'registered') EXECUTE FUNCTION contract_sums_row();
