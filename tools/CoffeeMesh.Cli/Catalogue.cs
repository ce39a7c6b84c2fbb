namespace CoffeeMesh.Cli;

public sealed record Product(int Id, string Category, string Type, string Detail, decimal Price, double Popularity);
public sealed record Store(int Id, string Location, double Share);

/// <summary>
/// A product catalogue and store mix shaped like the public "Coffee Shop Sales" data set: three
/// stores, about 80 products in nine categories, drinks far more popular than packaged goods.
/// </summary>
public static class Catalogue
{
    public static readonly IReadOnlyList<Store> Stores =
    [
        new(3, "Astoria", 0.33),
        new(5, "Lower Manhattan", 0.32),
        new(8, "Hell's Kitchen", 0.35),
    ];

    public static readonly IReadOnlyList<Product> Products = Build();

    private static List<Product> Build()
    {
        var products = new List<Product>();
        void Add(string category, string type, double popularity, params (string Detail, decimal Price)[] items)
        {
            foreach (var (detail, price) in items)
                products.Add(new Product(products.Count + 1, category, type, detail, price, popularity));
        }
        static (string, decimal)[] Sizes(string name, decimal rg, bool small = true) => small
            ? [($"{name} Sm", rg - 0.5m), ($"{name} Rg", rg), ($"{name} Lg", rg + 0.5m)]
            : [($"{name} Rg", rg), ($"{name} Lg", rg + 0.5m)];

        Add("Coffee beans", "Organic Beans", 0.2, ("Brazilian - Organic", 18.00m), ("Civet Cat", 45.00m));
        Add("Coffee beans", "House blend Beans", 0.2, ("Our Old Time Diner Blend", 18.00m));
        Add("Coffee beans", "Espresso Beans", 0.2, ("Espresso Roast", 14.75m), ("Primo Espresso Roast", 20.45m));
        Add("Coffee beans", "Gourmet Beans", 0.2, ("Columbian Medium Roast", 15.00m), ("Ethiopia", 21.00m), ("Jamacian Coffee River", 19.75m));
        Add("Coffee beans", "Premium Beans", 0.2, ("Guatemalan Sustainably Grown", 10.00m));
        Add("Branded", "Clothing", 0.15, ("I Need My Bean! T-shirt", 28.00m));
        Add("Branded", "Housewares", 0.15, ("I Need My Bean! Diner mug", 12.00m), ("I Need My Bean! Latte cup", 14.00m));
        Add("Loose Tea", "Herbal Tea", 0.2, ("Lemon Grass", 8.95m), ("Peppermint", 8.95m));
        Add("Loose Tea", "Black tea", 0.2, ("English Breakfast", 8.95m), ("Earl Grey", 10.95m));
        Add("Loose Tea", "Chai tea", 0.2, ("Traditional Blend Chai", 8.95m), ("Spicy Eye Opener Chai", 10.95m));
        Add("Loose Tea", "Green tea", 0.2, ("Serenity Green Tea", 9.25m));
        Add("Packaged Chocolate", "Drinking Chocolate", 0.15, ("Dark chocolate", 6.40m), ("Sustainably Grown Organic", 7.60m));
        Add("Packaged Chocolate", "Organic Chocolate", 0.15, ("Chili Mayan", 7.60m));
        Add("Coffee", "Drip coffee", 6, Sizes("Our Old Time Diner Blend", 2.50m));
        Add("Coffee", "Gourmet brewed coffee", 6, Sizes("Ethiopia", 3.00m, small: false));
        Add("Coffee", "Gourmet brewed coffee", 6, Sizes("Columbian Medium Roast", 2.50m));
        Add("Coffee", "Gourmet brewed coffee", 5, Sizes("Jamaican Coffee River", 2.95m));
        Add("Coffee", "Organic brewed coffee", 4, Sizes("Brazilian", 3.00m));
        Add("Coffee", "Premium brewed coffee", 3, Sizes("Jamaican Coffee River", 3.10m, small: false));
        Add("Coffee", "Barista Espresso", 7, Sizes("Latte", 4.25m, small: false));
        Add("Coffee", "Barista Espresso", 6, Sizes("Cappuccino", 3.75m, small: false));
        Add("Coffee", "Barista Espresso", 4, ("Espresso shot", 3.00m));
        Add("Tea", "Brewed Chai tea", 6, Sizes("Morning Sunrise Chai", 2.50m, small: false));
        Add("Tea", "Brewed Chai tea", 6, Sizes("Spicy Eye Opener Chai", 3.10m, small: false));
        Add("Tea", "Brewed Chai tea", 5, Sizes("Traditional Blend Chai", 2.50m, small: false));
        Add("Tea", "Brewed Black tea", 5, Sizes("English Breakfast", 2.50m, small: false));
        Add("Tea", "Brewed Black tea", 4, Sizes("Earl Grey", 2.50m, small: false));
        Add("Tea", "Brewed herbal tea", 4, Sizes("Lemon Grass", 2.50m, small: false));
        Add("Tea", "Brewed herbal tea", 4, Sizes("Peppermint", 2.50m, small: false));
        Add("Tea", "Brewed Green tea", 3, Sizes("Serenity Green Tea", 2.50m, small: false));
        Add("Drinking Chocolate", "Hot chocolate", 5, Sizes("Dark chocolate", 4.00m, small: false));
        Add("Drinking Chocolate", "Hot chocolate", 3, Sizes("Sustainably Grown Organic", 4.75m, small: false));
        Add("Bakery", "Scone", 3, ("Oatmeal Scone", 3.00m), ("Jumbo Savory Scone", 3.75m), ("Cranberry Scone", 3.50m), ("Ginger Scone", 3.50m),
            ("Hazelnut Biscotti", 3.25m));
        Add("Bakery", "Pastry", 3, ("Croissant", 3.50m), ("Chocolate Croissant", 3.75m), ("Almond Croissant", 3.75m));
        Add("Bakery", "Biscotti", 2, ("Chocolate Chip Biscotti", 3.50m), ("Ginger Biscotti", 3.25m));
        Add("Flavours", "Regular syrup", 2, ("Hazelnut syrup", 0.80m), ("Carmel syrup", 0.80m));
        Add("Flavours", "Sugar free syrup", 1, ("Sugar Free Vanilla syrup", 0.80m));
        return products;
    }
}
