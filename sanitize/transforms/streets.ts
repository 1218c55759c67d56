/**
 * Street names for the `address` transform: common, plainly generic, ASCII only. Order
 * matters: the HMAC picks by index, so changing the list changes every masked address.
 */
export const STREETS: readonly string[] = [
  "Acacia Avenue", "Ash Lane", "Bay Road", "Beech Street", "Birch Way", "Bridge Street", "Brook Lane", "Castle Road",
  "Cedar Avenue", "Chapel Street", "Cherry Lane", "Church Road", "Cliff Road", "Clover Way", "Court Street", "Dale Road",
  "Elm Street", "Field Lane", "Forest Drive", "Garden Street", "Glen Road", "Green Lane", "Grove Road", "Harbor Street",
  "Hazel Way", "High Street", "Hill Road", "Holly Lane", "Lake Drive", "Laurel Avenue", "Linden Street", "Maple Avenue",
  "Market Street", "Meadow Lane", "Mill Road", "Oak Street", "Orchard Way", "Park Avenue", "Pine Street", "Pond Lane",
  "Poplar Road", "Quarry Lane", "River Road", "Rose Street", "School Lane", "Spring Street", "Station Road", "Stone Way",
  "Sunset Drive", "Valley Road", "Walnut Street", "Water Lane", "West Street", "Willow Way", "Wood Lane", "York Road",
];
