"""Tiered recap (TPS -> desa -> kecamatan -> kab/kota -> provinsi -> nasional) in DuckDB.

Not built yet: see the recap issue. `rekap validate` does not depend on it.
"""
