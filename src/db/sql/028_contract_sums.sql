-- 028_contract_sums.sql - the contract statistics kept by the writes.
--
-- contract_sums holds, per (registration month, seller's unit, type,
-- 技术领域, buyer place, seller place), the number, 合同成交额 and 技术交易额
-- of the registered contracts (status 'registered'). The statistics
-- (contract_stats: by month / quarter / year / type / field / unit /
-- place, with the previous year) read it instead of scanning a year of
-- contracts twice. field 0 stands for a contract without 技术领域.
-- Triggers keep it in the writing transaction, whatever path writes (the
-- API, the import, the demo, the sqlite3 CLI): an insert adds the row's
-- figures, an update of a counted column moves them (amendment,
-- cancellation, 未予登记, a seller matched to another unit), a delete
-- removes them. Rows whose count comes back to 0 stay; the statistics
-- leave out groups whose count is 0 (docs/internals/contract_sums.md).
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

CREATE TRIGGER contract_sums_ai AFTER INSERT ON contracts
    WHEN NEW.status = 'registered'
BEGIN
    INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
        seller_place, n, amount, tech_amount)
    SELECT substr(NEW.registered_on, 1, 7), NEW.unit_id, NEW.type,
        COALESCE(NEW.field, 0), NEW.buyer_place, NEW.seller_place, 1,
        NEW.amount, NEW.tech_amount WHERE true
    ON CONFLICT (ym, unit_id, type, field, buyer_place, seller_place)
    DO UPDATE SET n = contract_sums.n + excluded.n,
        amount = contract_sums.amount + excluded.amount,
        tech_amount = contract_sums.tech_amount + excluded.tech_amount;
END;

CREATE TRIGGER contract_sums_au AFTER UPDATE OF status, registered_on,
    unit_id, type, field, buyer_place, seller_place, amount, tech_amount
    ON contracts
    WHEN NEW.status = 'registered' OR OLD.status = 'registered'
BEGIN
    INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
        seller_place, n, amount, tech_amount)
    SELECT substr(OLD.registered_on, 1, 7), OLD.unit_id, OLD.type,
        COALESCE(OLD.field, 0), OLD.buyer_place, OLD.seller_place, -1,
        -OLD.amount, -OLD.tech_amount WHERE OLD.status = 'registered'
    ON CONFLICT (ym, unit_id, type, field, buyer_place, seller_place)
    DO UPDATE SET n = contract_sums.n + excluded.n,
        amount = contract_sums.amount + excluded.amount,
        tech_amount = contract_sums.tech_amount + excluded.tech_amount;
    INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
        seller_place, n, amount, tech_amount)
    SELECT substr(NEW.registered_on, 1, 7), NEW.unit_id, NEW.type,
        COALESCE(NEW.field, 0), NEW.buyer_place, NEW.seller_place, 1,
        NEW.amount, NEW.tech_amount WHERE NEW.status = 'registered'
    ON CONFLICT (ym, unit_id, type, field, buyer_place, seller_place)
    DO UPDATE SET n = contract_sums.n + excluded.n,
        amount = contract_sums.amount + excluded.amount,
        tech_amount = contract_sums.tech_amount + excluded.tech_amount;
END;

CREATE TRIGGER contract_sums_ad AFTER DELETE ON contracts
    WHEN OLD.status = 'registered'
BEGIN
    INSERT INTO contract_sums (ym, unit_id, type, field, buyer_place,
        seller_place, n, amount, tech_amount)
    SELECT substr(OLD.registered_on, 1, 7), OLD.unit_id, OLD.type,
        COALESCE(OLD.field, 0), OLD.buyer_place, OLD.seller_place, -1,
        -OLD.amount, -OLD.tech_amount WHERE true
    ON CONFLICT (ym, unit_id, type, field, buyer_place, seller_place)
    DO UPDATE SET n = contract_sums.n + excluded.n,
        amount = contract_sums.amount + excluded.amount,
        tech_amount = contract_sums.tech_amount + excluded.tech_amount;
END;
