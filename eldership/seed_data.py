"""The Biržai district elderships and the 24 demo cameras placed in their rural centres."""

# (code, name, centre latitude, centre longitude); coordinates are approximate centres.
ELDERSHIPS = [
    ("birzu-miesto", "Biržų miesto", "56.201700", "24.756000"),
    ("nemunelio-radviliskio", "Nemunėlio Radviliškio", "56.396400", "24.469400"),
    ("pabirzes", "Pabiržės", "56.176900", "24.626100"),
    ("paceriaukstes", "Pačeriaukštės", "56.140000", "24.895000"),
    ("papilio", "Papilio", "56.151900", "25.053900"),
    ("paroveja", "Parovėjos", "56.233300", "24.866700"),
    ("sirvenos", "Širvėnos", "56.226000", "24.805000"),
    ("vabalninko", "Vabalninko", "55.980000", "24.750000"),
]

# Camera places per rural eldership: 24 in all, as contracted. Offsets (in 1/10000 degree) spread
# them around the centre so the map shows them apart.
PLACES = {
    "nemunelio-radviliskio": ["Autobusų stotelė", "Seniūnijos aikštė", "Bažnyčios šventorius", "Kultūros namai"],
    "pabirzes": ["Autobusų stotelė", "Seniūnijos aikštė", "Kultūros namai"],
    "paceriaukstes": ["Autobusų stotelė", "Seniūnijos aikštė", "Parduotuvės sankryža"],
    "papilio": ["Autobusų stotelė", "Seniūnijos aikštė", "Piliakalnio aikštelė", "Kultūros namai"],
    "paroveja": ["Autobusų stotelė", "Seniūnijos aikštė", "Parduotuvės sankryža"],
    "sirvenos": ["Autobusų stotelė", "Seniūnijos aikštė", "Parkas"],
    "vabalninko": ["Autobusų stotis", "Miesto aikštė", "Bažnyčios šventorius", "Turgavietė"],
}
OFFSETS = [(0, 0), (12, -9), (-10, 14), (7, 18)]
