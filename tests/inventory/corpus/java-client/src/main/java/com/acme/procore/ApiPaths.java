package com.acme.procore;

public final class ApiPaths {
    public static final String API = "https://api.procore.com/rest/v1.0";
    public static final String PUNCH_ITEMS = API + "/projects/%d/punch_items";
    public static final String CHANGE_ORDERS = "/prime_change_orders";

    private ApiPaths() {}
}
