"""The land database (标图建库): parcels, zone layers, districts, survey batches, import/export."""
